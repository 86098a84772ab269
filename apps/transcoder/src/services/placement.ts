/** A node as placement sees it: its sessions against its capacity, and its video transcodes against theirs. */
export interface NodeLoad {
  nodeId: string;
  sessions: number;
  capacity: number;
  /** Encoder slots in use by video transcodes (absent: a node that does not say, counted as none). */
  transcodeSessions?: number;
  transcodeCapacity?: number;
}

/** What the new session costs: a session, and the encoder slots of its video transcode (0: none). */
export interface SessionCost {
  slots: number;
}

function hasRoom(node: NodeLoad, cost: SessionCost): boolean {
  if (node.sessions >= node.capacity) return false;
  return cost.slots === 0 || (node.transcodeSessions ?? 0) + cost.slots <= (node.transcodeCapacity ?? 0);
}

/** The share of the node's scarcest resource in use, for the session being placed. */
function share(node: NodeLoad, cost: SessionCost): number {
  const sessions = node.sessions / node.capacity;
  if (cost.slots === 0) return sessions;
  return Math.max(sessions, (node.transcodeSessions ?? 0) / Math.max(1, node.transcodeCapacity ?? 0));
}

/**
 * Where a new session runs (pure): the node with the lowest share of its capacity in use (of its transcode capacity
 * for a session that transcodes video), this node on a tie (no hop), never a full one; null when every node is full.
 */
export function placeSession(
  self: NodeLoad,
  others: readonly NodeLoad[],
  cost: SessionCost = { slots: 0 },
): string | null {
  let best: NodeLoad | null = hasRoom(self, cost) ? self : null;
  for (const node of others) {
    if (node.nodeId === self.nodeId || !hasRoom(node, cost)) continue;
    if (!best || share(node, cost) < share(best, cost)) best = node;
  }
  return best?.nodeId ?? null;
}
