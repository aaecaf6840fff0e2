package health.ward.ledger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A {@link CheckpointSink} in a directory, ideally on another host's mount where Ward may create
 * files but not change them (e.g. an NFS export with an append-only or WORM policy). One file per
 * checkpoint, {@code checkpoint-<20-digit size>.txt}, created once and never rewritten: each is
 * written to a temporary name and linked into place, so a reader never sees half a note.
 */
final class DirectoryCheckpointSink implements CheckpointSink {
  private static final Pattern NAME = Pattern.compile("checkpoint-(\\d{20})\\.txt");
  private final Path dir;

  DirectoryCheckpointSink(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
  }

  @Override
  public String describe() {
    return dir.toString();
  }

  @Override
  public void publish(long size, String note) throws IOException {
    Files.createDirectories(dir);
    Path target = dir.resolve(String.format("checkpoint-%020d.txt", size));
    if (Files.exists(target)) return;
    Path tmp = Files.createTempFile(dir, ".checkpoint-", ".tmp");
    try {
      Files.writeString(tmp, note, StandardCharsets.UTF_8, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
      try {
        // A hard link fails if the target exists: an existing checkpoint is never replaced.
        Files.createLink(target, tmp);
      } catch (FileAlreadyExistsException e) {
        return;
      } catch (UnsupportedOperationException | IOException e) {
        if (Files.exists(target)) return;
        Files.copy(tmp, target);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  @Override
  public Optional<String> newest() throws IOException {
    if (!Files.isDirectory(dir)) return Optional.empty();
    Path newest = null;
    long best = -1;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        if (m.matches()) {
          long size = Long.parseLong(m.group(1));
          if (size > best) {
            best = size;
            newest = p;
          }
        }
      }
    }
    return newest == null ? Optional.empty() : Optional.of(Files.readString(newest, StandardCharsets.UTF_8));
  }
}
