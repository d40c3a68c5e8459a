export * from './discovery';
export * from './notifier';
export * from './presence';
export * from './runtime';
export * from './security';
export * from './store';
export * from './throttle';
