/**
 * DOCSight's built-in modem drivers (`app/drivers/__init__.py`, `driver_registry.register_builtin`):
 * the `modem_type` keys a restored or new config may name, with DOCSight's display names and the
 * default URL its setup wizard suggests. DOCSight rejects any other key when it loads the driver.
 */
import { z } from 'zod';

export const MODEM_TYPES = [
  { key: 'fritzbox', name: 'AVM FRITZ!Box', defaultUrl: 'http://192.168.178.1' },
  { key: 'tc4400', name: 'Technicolor TC4400', defaultUrl: 'http://192.168.100.1' },
  { key: 'ultrahub7', name: 'Vodafone Ultra Hub 7', defaultUrl: null },
  { key: 'vodafone_station', name: 'Vodafone Station', defaultUrl: 'http://192.168.0.1' },
  { key: 'ch7465', name: 'Compal CH7465 (Connect Box)', defaultUrl: 'http://192.168.100.1' },
  { key: 'ch7465_play', name: 'Compal CH7465 (Play/UPC)', defaultUrl: 'http://192.168.0.1' },
  { key: 'cm3000', name: 'Netgear CM3000', defaultUrl: 'http://192.168.100.1' },
  { key: 'cm1000', name: 'Netgear CM1000', defaultUrl: 'http://192.168.100.1' },
  { key: 'cm3500', name: 'Arris CM3500B', defaultUrl: 'https://192.168.100.1' },
  { key: 'surfboard', name: 'Arris SURFboard (S33/S34/SB8200)', defaultUrl: 'https://192.168.100.1' },
  { key: 'sb6141', name: 'Arris/Motorola SB6141', defaultUrl: 'http://192.168.100.1' },
  { key: 'sb6183', name: 'Arris SB6183', defaultUrl: 'http://192.168.100.1' },
  { key: 'sb6190', name: 'Arris SB6190', defaultUrl: 'https://192.168.100.1' },
  { key: 'sb8200_cbn', name: 'Arris SURFboard SB8200 (CBN firmware)', defaultUrl: 'https://192.168.100.1' },
  { key: 'cm8200', name: 'Arris Touchstone CM8200A', defaultUrl: 'https://192.168.100.1' },
  { key: 'hitron', name: 'Hitron CODA-56', defaultUrl: 'http://192.168.100.1' },
  { key: 'hitron_coda_4680', name: 'Hitron CODA-4680', defaultUrl: 'http://192.168.100.1' },
  { key: 'sagemcom', name: 'Sagemcom F@st 3896', defaultUrl: 'http://192.168.100.1' },
  { key: 'f3896lg', name: 'Sagemcom F3896LG (Virgin Media Hub 5 / Liberty Global)', defaultUrl: 'https://192.168.100.1' },
  { key: 'pyur_fast3896', name: 'PYUR FAST3896-15 (experimental)', defaultUrl: 'http://192.168.100.1' },
  { key: 'sercom_dm1000', name: 'Sercom DM1000', defaultUrl: 'http://192.168.100.1' },
  { key: 'cgm4981', name: 'Technicolor CGM4981COM (Cox Panoramic Gateway PM8 / XB8)', defaultUrl: 'http://192.168.0.1' },
  { key: 'generic', name: 'Generic Router (No DOCSIS)', defaultUrl: null },
] as const;

export type ModemTypeKey = (typeof MODEM_TYPES)[number]['key'];

const keys = MODEM_TYPES.map((type) => type.key) as [ModemTypeKey, ...ModemTypeKey[]];

export const ModemTypeSchema = z.enum(keys, {
  error: () => `Choose a modem type DOCSight supports (${keys.join(', ')}).`,
});
