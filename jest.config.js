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
  testMatch: ['<rootDir>/{apps,libs,e2e,faults,fleet,static,bench}/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // file-type (libs/attachments media-inspector.ts) and its dependencies are ES modules only: jest's registry cannot
  // require() them as Node 20.19+ does, so they are compiled to CommonJS like our sources.
  transformIgnorePatterns: ['/node_modules/(?!(file-type|strtok3|token-types|@tokenizer/inflate|uint8array-extras|@borewit/text-codec)/)'],
  globalSetup: '<rootDir>/libs/testing/src/jest/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/jest/global-teardown.ts',
  maxWorkers: 2,
  testTimeout: 30_000,
};
