export { Argon2PasswordHasher, type Argon2Options } from './password.argon2';
export { JwtTokenService, type JwtOptions } from './token.jwt';
export { NodeSecretCodec } from './secrets.node';
export { ZxcvbnPasswordPolicy, type ZxcvbnPolicyOptions, type ZxcvbnScore } from './password-policy.zxcvbn';
