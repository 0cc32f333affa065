// Jest runs on tsc's output (dist/): no transform, native ESM.
export default {
  // Per test; e2e tests start real containers.
  testTimeout: 120000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: {},
      testMatch: ['<rootDir>/dist/lib/**/*.test.js', '<rootDir>/dist/cli/**/*.test.js'],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      transform: {},
      testMatch: ['<rootDir>/dist/e2e/**/*.test.js'],
    },
  ],
};
