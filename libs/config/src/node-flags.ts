/**
 * Node flags of the apps that move live TS (gateway, transcoder): a 64 MiB young generation lets V8 free the
 * ~64 KiB chunk buffers in cheap scavenges instead of promoting them into full collections (docs/operations.md
 * § Node flags). The launcher and the benches use this list; docker-compose and the `start:*` scripts repeat it.
 */
export const STREAMING_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
