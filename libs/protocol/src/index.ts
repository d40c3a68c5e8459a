export * from './errors';
export * from './ids';
export * from './models';
export * from './rest';
export * from './social';
export * from './socket';
export * from './validate';
export * from './relay-frames';
