/** An address or a word as every output prints it: 0x7f12a4c00040. */
export const hex = (v: number | bigint): string => `0x${v.toString(16)}`;
