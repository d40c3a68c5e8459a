import { gatewayRegistration } from './discovery';

describe('gateway registration', () => {
  it('advertises the relay and the /readyz check on the advertised host, never the bind address', () => {
    expect(gatewayRegistration('gw-2', '10.0.0.12', 50051, 8080)).toEqual({
      gatewayId: 'gw-2',
      relayAddress: '10.0.0.12:50051',
      address: '10.0.0.12',
      port: 50051,
      healthUrl: 'http://10.0.0.12:8080/readyz',
    });
    expect(gatewayRegistration('gw-6', 'fd00::6', 50051, 8080)).toMatchObject({ relayAddress: '[fd00::6]:50051', healthUrl: 'http://[fd00::6]:8080/readyz' });
  });
});
