package health.ward.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.ward.access.Principal;
import health.ward.access.Role;
import health.ward.auth.StaffDirectory;
import health.ward.records.RequestContext;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.openqa.selenium.virtualauthenticator.HasVirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticatorOptions;

/**
 * The WebAuthn ceremonies in a real browser: Debian's headless Chromium, driven by Selenium, with
 * a virtual authenticator (CTAP2, user verification) standing in for a security key. A physician
 * enrols from the one-time link (password, then a passkey), signs in with password and passkey,
 * uses the session on the FHIR API, signs out, and the token is dead on its next request.
 * {@code ./ward test} installs chromium and chromium-driver when they are missing.
 */
class WebAuthnBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  @TempDir Path dir;
  StaffFixture f;
  WebDriver browser;
  VirtualAuthenticator authenticator;

  @BeforeEach
  void start() {
    Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
        "Debian chromium and chromium-driver are not installed (./ward test installs them)");
    f = new StaffFixture(dir, Set.of(Role.CLERK, Role.AUDITOR));
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + dir.resolve("chromium"));
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER.toString()))
        .usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
    authenticator = ((HasVirtualAuthenticator) browser).addVirtualAuthenticator(new VirtualAuthenticatorOptions()
        .setProtocol(VirtualAuthenticatorOptions.Protocol.CTAP2)
        .setTransport(VirtualAuthenticatorOptions.Transport.INTERNAL)
        .setHasResidentKey(true)
        .setHasUserVerification(true)
        .setIsUserVerified(true));
  }

  @AfterEach
  void stop() {
    if (browser != null) browser.quit();
    if (f != null) f.close();
  }

  String status(WebDriverWait wait, String expected) {
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), expected));
    return browser.findElement(By.id("status")).getText();
  }

  @Test
  void physician_enrolsAPasskey_signsInWithIt_andSignOutKillsTheToken() throws Exception {
    String secret = f.identity.directory().add(RequestContext.local(Principal.operator("test")),
        new StaffDirectory.NewUser("dr.jansen", "Dr. A. Jansen", Role.PHYSICIAN, "Practitioner/p1", List.of()))
        .secret().reveal();
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));

    browser.get(f.base + "/enrol#" + secret);
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("new-password")));
    assertTrue(browser.findElement(By.id("account")).getText().contains("dr.jansen (physician)"));
    assertTrue(browser.findElement(By.id("enrol-totp-section")).getAttribute("hidden") != null,
        "a physician is not offered TOTP");
    browser.findElement(By.id("new-password")).sendKeys("a long and winding road 7");
    browser.findElement(By.id("new-password-2")).sendKeys("a long and winding road 7");
    browser.findElement(By.cssSelector("#enrol-password-form button")).click();
    status(wait, "Password set");
    browser.findElement(By.id("enrol-webauthn")).click();
    status(wait, "Enrolment complete");
    assertEquals(1, authenticator.getCredentials().size(), "the passkey lives in the authenticator");
    assertEquals(1, f.identity.directory().find("dr.jansen").orElseThrow().webauthnCredentials());

    browser.get(f.base + "/signin");
    browser.findElement(By.id("username")).sendKeys("dr.jansen");
    browser.findElement(By.id("password")).sendKeys("a long and winding road 7");
    browser.findElement(By.id("password-submit")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("webauthn-button")));
    assertTrue(browser.findElement(By.id("totp-form")).getAttribute("hidden") != null);
    browser.findElement(By.id("webauthn-button")).click();
    status(wait, "Signed in as dr.jansen");
    String token = browser.findElement(By.id("token")).getAttribute("value");
    assertTrue(token.startsWith("ward_"), token);

    var search = f.fhir("GET", "Patient", token, null);
    assertEquals(200, search.statusCode(), search.body());
    var me = f.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(f.base + "/auth/me"))
        .header("Authorization", "Bearer " + token).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertTrue(me.body().contains("\"role\":\"physician\""), me.body());

    browser.findElement(By.id("signout")).click();
    status(wait, "Signed out");
    assertEquals(401, f.fhir("GET", "Patient", token, null).statusCode(), "a signed-out session dies at once");

    // A wrong password never reaches the passkey step, and says nothing about why.
    browser.get(f.base + "/signin");
    browser.findElement(By.id("username")).sendKeys("dr.jansen");
    browser.findElement(By.id("password")).sendKeys("not the password at all");
    browser.findElement(By.id("password-submit")).click();
    assertTrue(status(wait, "sign-in failed").contains("wrong user name, password or second factor"));
  }
}
