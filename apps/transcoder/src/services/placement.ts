/** A node as placement sees it: its sessions against its capacity. */
export interface NodeLoad {
  nodeId: string;
  sessions: number;
  capacity: number;
}

/**
 * Where a new session runs (pure): the node with the lowest share of its capacity in use, this node on a tie (no
 * hop), never a full one; null when every node is full.
 */
export function placeSession(self: NodeLoad, others: readonly NodeLoad[]): string | null {
  const share = (node: NodeLoad) => node.sessions / node.capacity;
  let best: NodeLoad | null = self.sessions < self.capacity ? self : null;
  for (const node of others) {
    if (node.nodeId === self.nodeId || node.sessions >= node.capacity) continue;
    if (!best || share(node) < share(best)) best = node;
  }
  return best?.nodeId ?? null;
}
