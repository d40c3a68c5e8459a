export { describeThrottleContract, type ThrottleHarness } from './throttle.contract';
