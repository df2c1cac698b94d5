package testenv

import "testing"

// EnvChromium holds the path of Debian's chromium binary, which the browser
// tests drive headless.
const EnvChromium = "SOCIALPULSE_TEST_CHROMIUM"

// ChromiumBinary returns the path of the chromium binary from
// SOCIALPULSE_TEST_CHROMIUM, like AlertmanagerBinary: if it is unset or not
// an executable file the test is skipped, or fails when services are
// required.
func ChromiumBinary(t testing.TB) string {
	t.Helper()
	return binary(t, EnvChromium)
}
