import type { Coordinator } from 'x402-vara-wasm';

/** The subset of a node-redis (v4+) or ioredis client the coordinator uses. */
export type RedisLikeClient = { sendCommand(args: string[]): Promise<unknown> } | { call(...args: string[]): Promise<unknown> };

export interface RedisCoordinatorOptions {
  /** What every key starts with. Default "x402-vara". */
  prefix?: string;
  /** How long a process that died holds the fleet's other payments up at most, in ms
   *  (1000..600000: below a second, leases end while their holders sign). Default 5000. */
  leaseMs?: number;
  /** Bound on each Redis call, in ms: past it the payment ends in COORDINATOR_ERROR. Default 2000. */
  timeoutMs?: number;
}

/** A coordinator for `options.coordinator`: processes paying from one account share its nonce
 *  lane through Redis (turns, leases, the chain's nonce as last read). */
export declare function redisCoordinator(client: RedisLikeClient, options?: RedisCoordinatorOptions): Coordinator;
