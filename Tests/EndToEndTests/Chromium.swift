import Foundation
import Testing

/// The Debian `chromium` package in headless mode: dumps a page's DOM and takes screenshots.
enum Chromium {
    /// The browser; the test fails with a clear message when it is not installed.
    static func executable() throws -> String {
        let candidates = [Harness.environment["CONVEYOR_CHROMIUM"], "/usr/bin/chromium", "/usr/bin/chromium-browser"]
        return try #require(candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) },
                            "chromium is not installed: run scripts/setup.sh (it installs the Debian package chromium)")
    }

    /// Where screenshots go: `$CONVEYOR_SCREENSHOTS` or `.build/screenshots` in the package.
    static var screenshotDirectory: String {
        Harness.environment["CONVEYOR_SCREENSHOTS"] ?? Harness.packageRoot + "/.build/screenshots"
    }

    static func arguments(profile: String) -> [String] {
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--user-data-dir=" + profile]
    }

    /// The DOM after the page loaded (as `--dump-dom` prints it).
    static func dumpDOM(_ url: String) throws -> String {
        let profile = try Harness.temporaryDirectory("chromium")
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let output = try Harness.run(try executable(), arguments(profile: profile) + ["--dump-dom", url])
        #expect(output.status == 0, "chromium --dump-dom \(url) failed: \(output.stderr.suffix(2000))")
        return output.stdout
    }

    /// A 1280×900 screenshot of `url` saved as `name`.png in ``screenshotDirectory``; returns its path.
    @discardableResult
    static func screenshot(_ url: String, name: String) throws -> String {
        let profile = try Harness.temporaryDirectory("chromium")
        defer { try? FileManager.default.removeItem(atPath: profile) }
        try FileManager.default.createDirectory(atPath: screenshotDirectory, withIntermediateDirectories: true)
        let file = screenshotDirectory + "/" + name + ".png"
        try? FileManager.default.removeItem(atPath: file)
        let output = try Harness.run(try executable(), arguments(profile: profile)
            + ["--screenshot=" + file, "--window-size=1280,900", "--hide-scrollbars", url])
        #expect(output.status == 0, "chromium --screenshot \(url) failed: \(output.stderr.suffix(2000))")
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        #expect(size > 10_000, "the screenshot \(file) is missing or empty")
        print("screenshot: \(file)")
        return file
    }
}
