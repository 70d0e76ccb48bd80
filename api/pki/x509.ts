/**
 * @peculiar/x509, ready to use: its dependency injection needs a Reflect polyfill loaded
 * before it, and it signs and verifies through Node's WebCrypto. Import x509 from here only.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as ReturnType<typeof x509.cryptoProvider.get>);

export { x509 };
