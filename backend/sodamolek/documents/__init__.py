"""Printed letters: PDF rendering, letter numbers, QR codes, verification tokens and Ed25519
signatures. Pure building blocks: no tables here; the signing service calls them."""
