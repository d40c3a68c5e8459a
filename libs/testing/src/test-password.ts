/**
 * A password every test registers with: it passes the password policy
 * (not common, not the username, zxcvbn score 4). Tests of the policy itself
 * use their own weak ones.
 */
export const TEST_PASSWORD = 'plum-otter-glacier-42';
