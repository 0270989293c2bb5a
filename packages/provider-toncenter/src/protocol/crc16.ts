/**
 * CRC-16/XMODEM (polynomial 0x1021, initial value 0, no reflection, no final XOR): the checksum the
 * last two bytes of a user-friendly TON address carry, big-endian.
 */
export function crc16Xmodem(bytes: Uint8Array, length = bytes.length): number {
  let crc = 0
  for (let i = 0; i < length; i++) {
    crc ^= (bytes[i] as number) << 8
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
    }
  }
  return crc
}
