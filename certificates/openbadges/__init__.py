"""Open Badges 3.0: each issued certificate as a W3C Verifiable Credential that a verifier
can check without this site's word: signed with a Data Integrity proof (eddsa-rdfc-2022) by
the issuer's key, published in its did:web document, and revocable through a signed
BitstringStatusList."""
