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
