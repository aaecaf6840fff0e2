package health.ward.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunningEmbeddedDatabaseTest {
  @TempDir Path data;

  Path pidFile(long pid, String port, String listen) throws Exception {
    Path dir = Files.createDirectories(data.resolve("pg"));
    return Files.writeString(
        dir.resolve("postmaster.pid"),
        pid + "\n" + dir + "\n1763800000\n" + port + "\n/tmp\n" + listen + "\n  5432001  12345\nready   \n");
  }

  @Test
  void livePostmaster_givesItsLoopbackUrl() throws Exception {
    pidFile(ProcessHandle.current().pid(), "54321", "127.0.0.1");
    assertEquals(Optional.of("jdbc:postgresql://127.0.0.1:54321/ward"), RunningEmbeddedDatabase.jdbcUrl(data));
  }

  @Test
  void deadPostmaster_orNoFile_orGarbage_givesNothing() throws Exception {
    assertEquals(Optional.empty(), RunningEmbeddedDatabase.jdbcUrl(data));
    assertEquals(Optional.empty(), RunningEmbeddedDatabase.jdbcUrl(data.resolve("missing")));
    pidFile(Long.MAX_VALUE - 1, "54321", "127.0.0.1");
    assertEquals(Optional.empty(), RunningEmbeddedDatabase.jdbcUrl(data));
    pidFile(ProcessHandle.current().pid(), "port?", "127.0.0.1");
    assertEquals(Optional.empty(), RunningEmbeddedDatabase.jdbcUrl(data));
  }
}
