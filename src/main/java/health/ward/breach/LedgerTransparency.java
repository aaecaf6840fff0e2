package health.ward.breach;

import health.ward.common.WardException;
import health.ward.ledger.ConsistencyProof;
import health.ward.ledger.InclusionProof;
import health.ward.ledger.LedgerReader;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What Ward publishes about its ledger so that anyone holding a checkpoint can check it without
 * trusting the server: the newest signed checkpoint, and inclusion and consistency proofs (RFC 9162)
 * against any tree size up to the ledger's. None of it reveals an entry: proofs are hashes.
 *
 * <p>Proofs as JSON objects (hashes in standard base64, as in the checkpoint's root line):
 *
 * <pre>
 * inclusion:   {"index": i, "size": n, "leafHash": "…", "hashes": ["…", …]}
 * consistency: {"from": m, "to": n, "hashes": ["…", …]}
 * </pre>
 */
public final class LedgerTransparency {
  private final LedgerReader reader;

  public LedgerTransparency(LedgerReader reader) {
    this.reader = Objects.requireNonNull(reader, "reader");
  }

  /** The newest signed checkpoint's note text. Throws NotFound before the first one is issued. */
  public String latestCheckpoint() {
    return reader
        .latestCheckpoint()
        .orElseThrow(() -> new WardException.NotFound("no checkpoint has been issued yet"))
        .note();
  }

  /** The inclusion proof of entry {@code index} in the tree of {@code size}, as a JSON-ready map. */
  public Map<String, Object> inclusion(long index, long size) {
    InclusionProof p = reader.proveInclusion(index, size);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("index", p.index());
    out.put("size", p.size());
    out.put("leafHash", b64(reader.leafHash(index)));
    out.put("hashes", b64(p.hashes()));
    return out;
  }

  /** The consistency proof from the tree of {@code from} to the tree of {@code to}, as a JSON-ready map. */
  public Map<String, Object> consistency(long from, long to) {
    ConsistencyProof p = reader.proveConsistency(from, to);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("from", p.from());
    out.put("to", p.to());
    out.put("hashes", b64(p.hashes()));
    return out;
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  private static List<String> b64(List<byte[]> hashes) {
    return hashes.stream().map(LedgerTransparency::b64).toList();
  }
}
