package health.ward.ledger;

import health.ward.crypto.NoteVerifierKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The C2SP signed-note text format (https://c2sp.org/signed-note), parsed and written without any
 * verification:
 *
 * <pre>
 * note      = text "\n" signature+          text: valid UTF-8 ending in "\n"
 * signature = "\u2014 " key-name " " base64(key id (4, big-endian) || signature bytes) "\n"
 * </pre>
 *
 * The text is separated from the signatures by the last blank line. No control characters other
 * than "\n" anywhere; at most {@value #MAX_SIGNATURES} signature lines.
 */
final class SignedNote {
  /** EM DASH (U+2014) and a space. */
  static final String SIGNATURE_PREFIX = "\u2014 ";

  /** More than the 16 the specification asks verifiers to accept; bounds the work on hostile input. */
  static final int MAX_SIGNATURES = 100;

  /** One signature line. */
  record Signature(String keyName, int keyId, byte[] signature) {
    Signature {
      signature = signature.clone();
    }

    @Override
    public byte[] signature() {
      return signature.clone();
    }

    String line() {
      byte[] b = new byte[4 + signature.length];
      b[0] = (byte) (keyId >>> 24);
      b[1] = (byte) (keyId >>> 16);
      b[2] = (byte) (keyId >>> 8);
      b[3] = (byte) keyId;
      System.arraycopy(signature, 0, b, 4, signature.length);
      return SIGNATURE_PREFIX + keyName + " " + Base64.getEncoder().encodeToString(b) + "\n";
    }

    String signer() {
      return keyName + "+" + String.format("%08x", keyId);
    }
  }

  private final String text;
  private final List<Signature> signatures;

  private SignedNote(String text, List<Signature> signatures) {
    this.text = text;
    this.signatures = List.copyOf(signatures);
  }

  /** The signed text, ending in "\n". */
  String text() {
    return text;
  }

  List<Signature> signatures() {
    return signatures;
  }

  /** {@code text} followed by the blank line and the signature lines. */
  static String format(String text, List<Signature> signatures) {
    if (!text.endsWith("\n")) throw new IllegalArgumentException("note text must end in a newline");
    if (signatures.isEmpty()) throw new IllegalArgumentException("a signed note needs a signature");
    StringBuilder out = new StringBuilder(text).append('\n');
    for (Signature s : signatures) out.append(s.line());
    return out.toString();
  }

  /**
   * Parses a signed note.
   *
   * @throws CheckpointRejectedException {@code MALFORMED_NOTE}, saying what is wrong
   */
  static SignedNote parse(String note) throws CheckpointRejectedException {
    for (int i = 0; i < note.length(); i++) {
      char c = note.charAt(i);
      if (c < 0x20 && c != '\n') throw malformed("it contains a control character");
      if (Character.isSurrogate(c)) {
        boolean paired =
            Character.isHighSurrogate(c)
                && i + 1 < note.length()
                && Character.isLowSurrogate(note.charAt(i + 1));
        if (!paired) throw malformed("it is not valid UTF-8");
        i++;
      }
    }
    int split = note.lastIndexOf("\n\n");
    if (split < 0) throw malformed("no blank line before the signatures");
    String text = note.substring(0, split + 1);
    String block = note.substring(split + 2);
    if (block.isEmpty() || !block.endsWith("\n")) throw malformed("no signature lines after the blank line");
    String[] lines = block.substring(0, block.length() - 1).split("\n", -1);
    if (lines.length > MAX_SIGNATURES) throw malformed("more than " + MAX_SIGNATURES + " signatures");
    List<Signature> signatures = new ArrayList<>(lines.length);
    for (String line : lines) {
      if (!line.startsWith(SIGNATURE_PREFIX)) {
        throw malformed("a signature line does not start with an em dash and a space");
      }
      String rest = line.substring(SIGNATURE_PREFIX.length());
      int space = rest.indexOf(' ');
      if (space < 0) throw malformed("a signature line has no space between key name and signature");
      String name = rest.substring(0, space);
      String b64 = rest.substring(space + 1);
      if (!NoteVerifierKey.isValidKeyName(name)) throw malformed("a signature line has an invalid key name");
      byte[] raw;
      try {
        raw = Base64.getDecoder().decode(b64);
      } catch (IllegalArgumentException e) {
        throw malformed("the signature of " + name + " is not base64");
      }
      // Java's decoder also takes unpadded input; only the canonical padded form is a signature.
      if (!Base64.getEncoder().encodeToString(raw).equals(b64)) {
        throw malformed("the signature of " + name + " is not canonical base64");
      }
      if (raw.length < 5) throw malformed("the signature of " + name + " is shorter than a key id and a byte");
      int keyId = (raw[0] & 0xff) << 24 | (raw[1] & 0xff) << 16 | (raw[2] & 0xff) << 8 | (raw[3] & 0xff);
      byte[] sig = new byte[raw.length - 4];
      System.arraycopy(raw, 4, sig, 0, sig.length);
      signatures.add(new Signature(name, keyId, sig));
    }
    return new SignedNote(text, signatures);
  }

  private static CheckpointRejectedException malformed(String why) {
    return new CheckpointRejectedException(
        CheckpointRejectedException.Reason.MALFORMED_NOTE, "malformed signed note: " + why);
  }
}
