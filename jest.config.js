/** One jest run for the whole workspace: unit, integration (*.int.spec.ts) and e2e. */
const transform = { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] };

module.exports = {
  testEnvironment: 'node',
  transform,
  // Same resolution as tsconfig paths, so a new lib needs no npm install to be found.
  moduleNameMapper: {
    // The client library's package name is not its folder's (libs/client-sdk).
    '^@parley/client$': '<rootDir>/libs/client-sdk/src/index.ts',
    '^@parley/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    '^@parley/([a-z-]+)/testing$': '<rootDir>/libs/$1/src/testing/index.ts',
  },
  testMatch: ['<rootDir>/{apps,libs,e2e,faults,fleet,static}/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: '<rootDir>/libs/testing/src/jest/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/jest/global-teardown.ts',
  maxWorkers: 2,
  testTimeout: 30_000,
};
