package health.ward.cli;

/** Entry point of the {@code ward} command. SKELETON: the CLI work fills this in. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.err.println("ward: not built yet");
    System.exit(1);
  }
}
