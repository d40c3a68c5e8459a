export { TestModerationService, type TestModerationAnswer, type TestModerationCall } from './test-moderation-service';
