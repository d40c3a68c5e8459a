/** An IM node as clients and gateways need to know it. */
export interface NodeInstance {
  nodeId: string;
  /** Base URL a browser passes to io(url). */
  url: string;
}

export interface NodeRegistration extends NodeInstance {
  /** Address and port the registry health-checks (GET /healthz). */
  address: string;
  port: number;
  healthUrl: string;
}

/** IM-node side of discovery. */
export interface NodeRegistrar {
  register(node: NodeRegistration): Promise<void>;
  deregister(nodeId: string): Promise<void>;
}

/** Gateway side: the current list of healthy nodes, kept fresh in the background. */
export interface NodeDirectory {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Last known healthy nodes (kept when the registry is unreachable). */
  healthyNodes(): readonly NodeInstance[];
  onChange(listener: (nodes: readonly NodeInstance[]) => void): () => void;
}

/** A gateway as IM nodes need to know it: where its relay listens. */
export interface GatewayInstance {
  gatewayId: string;
  /** `host:port` of its gRPC relay listener, on the gateway's advertised host. */
  relayAddress: string;
}

export interface GatewayRegistration extends GatewayInstance {
  /** Advertised host and relay port (the Consul service address). */
  address: string;
  port: number;
  /** The registry health-checks this (the gateway's GET /readyz). */
  healthUrl: string;
}

/** Gateway side of gateway discovery. */
export interface GatewayRegistrar {
  register(gateway: GatewayRegistration): Promise<void>;
  deregister(gatewayId: string): Promise<void>;
}

/** IM-node side: the live gateways, kept fresh in the background. */
export interface GatewayDirectory {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Last known live gateways (kept when the registry is unreachable). */
  liveGateways(): readonly GatewayInstance[];
  onChange(listener: (gateways: readonly GatewayInstance[]) => void): () => void;
}
