// cluster-key-slot (the slot function ioredis itself uses) ships no types.
declare module 'cluster-key-slot' {
  /** CRC16(key or its {hash tag}) mod 16384. */
  export default function calculateSlot(key: string | Buffer): number;
}
