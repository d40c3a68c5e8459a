export { Argon2PasswordHasher, type Argon2Options } from './password.argon2';
export { JwtTokenService, type JwtOptions } from './token.jwt';
