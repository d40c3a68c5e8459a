export { RelayAuth, type RelayAuthOptions, type RelayTlsMaterial } from './relay-auth';
export { StreamAuthenticator, streamCredential, type StreamIdentity, type StreamCredential } from './stream-identity';
export { RelayAudiences, normalizeAudience, type RelayListenAddress } from './relay-audience';
export { OncePerPeer } from './peer-log';
