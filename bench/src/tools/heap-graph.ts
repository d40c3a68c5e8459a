/** Reads V8's `.heapsnapshot` JSON into a checked graph, with each object's class named. */
/** The parts of V8's `.heapsnapshot` JSON this reader uses. */
export interface SnapshotJson {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** A snapshot that does not hold together: a field, type, node or string it refers to is not there. */
const malformed = (what: string): Error => new Error(`malformed heap snapshot: ${what}`);

/**
 * `list[i]`. Every index this reader uses was checked against the snapshot
 * when it was read (`readGraph`) or counts within an array sized to fit, so a
 * miss is a bug here, or a snapshot `readGraph` should have refused.
 */
export function get<T>(list: ArrayLike<T>, i: number): T {
  const value = list[i];
  if (value === undefined) throw malformed(`index ${i} outside an array of ${list.length}`);
  return value;
}

/** Where `name` sits in a node or edge record. */
function fieldIndex(fields: readonly string[], name: string, what: string): number {
  const i = fields.indexOf(name);
  if (i < 0) throw malformed(`no ${what} field '${name}'`);
  return i;
}

/**
 * The snapshot's graph in columns, one entry per node or per edge, the
 * indices in it checked when it was read. Node n's edges are
 * `firstEdge[n]` up to (not including) `firstEdge[n + 1]`.
 */
export interface Graph {
  nodeCount: number;
  selfSize: Float64Array;
  /** Each node's first edge (node count + 1 entries). */
  firstEdge: Int32Array;
  /** The node each edge points to. */
  edgeTo: Int32Array;
  /** Each edge's type, an index into `edgeTypes`. */
  edgeType: Int32Array;
  /** Each edge's property name (an index into `strings`), or its index for element and hidden edges. */
  edgeNameOrIndex: Float64Array;
  edgeTypes: string[];
  strings: string[];
  /** The type of weak edges, which retain nothing (-1 when the snapshot has no such type). */
  weakEdge: number;
  /** Each node's class, grouped the way DevTools' summary groups them (see `classify`). */
  classes: string[];
}

/** The graph before its nodes are classified (classifying a `Socket` reads its edges). */
type Unclassified = Omit<Graph, 'classes'>;

/** Element and hidden edges are named by their index, the others by a string. */
const isIndexed = (edgeType: string): boolean => edgeType === 'element' || edgeType === 'hidden';

export function edgeName(g: Unclassified, e: number): string {
  const nameOrIndex = get(g.edgeNameOrIndex, e);
  return isIndexed(get(g.edgeTypes, get(g.edgeType, e))) ? `[${nameOrIndex}]` : get(g.strings, nameOrIndex);
}

function hasProperty(g: Unclassified, n: number, name: string): boolean {
  for (let e = get(g.firstEdge, n); e < get(g.firstEdge, n + 1); e++) {
    if (edgeName(g, e) === name) return true;
  }
  return false;
}

function classify(g: Unclassified, n: number, type: string, name: string): string {
  switch (type) {
    case 'object':
      return name === 'Socket' ? `Socket (${socketKind(g, n)})` : name;
    case 'closure':
      return `(closure) ${name || '<anonymous>'}`;
    case 'array':
    case 'hidden':
    case 'native':
      return `(${type}) ${name}`;
    case 'string':
    case 'concatenated string':
    case 'sliced string':
      return '(string)';
    default:
      return `(${type})`;
  }
}

function socketKind(g: Unclassified, n: number): string {
  if (hasProperty(g, n, 'nsp')) return 'socket.io';
  if (hasProperty(g, n, 'transport')) return 'engine.io';
  if (hasProperty(g, n, 'connecting')) return 'net';
  return 'other';
}

/** Reads the flat node and edge arrays into columns, checking every index they hold. */
export function readGraph(json: SnapshotJson): Graph {
  const { node_fields: nodeFields, edge_fields: edgeFields, node_types: [nodeTypes], edge_types: [edgeTypes] } = json.snapshot.meta;
  const node = {
    type: fieldIndex(nodeFields, 'type', 'node'),
    name: fieldIndex(nodeFields, 'name', 'node'),
    self: fieldIndex(nodeFields, 'self_size', 'node'),
    edgeCount: fieldIndex(nodeFields, 'edge_count', 'node'),
  };
  const edge = {
    type: fieldIndex(edgeFields, 'type', 'edge'),
    name: fieldIndex(edgeFields, 'name_or_index', 'edge'),
    to: fieldIndex(edgeFields, 'to_node', 'edge'),
  };
  const { nodes, edges, strings } = json;
  const nodeCount = nodes.length / nodeFields.length;
  if (!Number.isInteger(nodeCount)) throw malformed(`${nodes.length} node values are not records of ${nodeFields.length}`);
  if (nodeCount === 0) throw malformed('no nodes (not even the root)');

  const selfSize = new Float64Array(nodeCount);
  const firstEdge = new Int32Array(nodeCount + 1);
  for (let n = 0; n < nodeCount; n++) {
    const record = n * nodeFields.length;
    selfSize[n] = get(nodes, record + node.self);
    firstEdge[n + 1] = get(firstEdge, n) + get(nodes, record + node.edgeCount);
  }
  const edgeCount = get(firstEdge, nodeCount);
  if (edgeCount * edgeFields.length !== edges.length) {
    throw malformed(`the nodes count ${edgeCount} edges, the edge array holds ${edges.length / edgeFields.length}`);
  }

  const edgeTo = new Int32Array(edgeCount);
  const edgeType = new Int32Array(edgeCount);
  const edgeNameOrIndex = new Float64Array(edgeCount);
  for (let e = 0; e < edgeCount; e++) {
    const record = e * edgeFields.length;
    const type = get(edges, record + edge.type);
    const nameOrIndex = get(edges, record + edge.name);
    // to_node is the target's offset in the node array, a multiple of the node record's size.
    const to = get(edges, record + edge.to) / nodeFields.length;
    const typeName = edgeTypes[type];
    if (typeName === undefined) throw malformed(`edge ${e} has no type ${type}`);
    if (!Number.isInteger(to) || to < 0 || to >= nodeCount) throw malformed(`edge ${e} points to no node`);
    if (!isIndexed(typeName) && strings[nameOrIndex] === undefined) throw malformed(`edge ${e} is named by no string`);
    edgeTo[e] = to;
    edgeType[e] = type;
    edgeNameOrIndex[e] = nameOrIndex;
  }

  const columns = { nodeCount, selfSize, firstEdge, edgeTo, edgeType, edgeNameOrIndex, edgeTypes, strings, weakEdge: edgeTypes.indexOf('weak') };
  const classes = Array.from({ length: nodeCount }, (_, n) => {
    const record = n * nodeFields.length;
    const type = nodeTypes[get(nodes, record + node.type)];
    const name = strings[get(nodes, record + node.name)];
    if (type === undefined) throw malformed(`node ${n} has no type`);
    if (name === undefined) throw malformed(`node ${n} is named by no string`);
    return classify(columns, n, type, name);
  });
  return { ...columns, classes };
}
