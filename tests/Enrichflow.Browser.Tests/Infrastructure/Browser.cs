using System.Collections.ObjectModel;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace Enrichflow.Browser.Tests.Infrastructure;

/// <summary>
/// Headless Chromium from Debian's packages (<c>chromium</c>, <c>chromium-driver</c>; scripts/chromium.sh installs them),
/// driven through Selenium. Every wait polls the DOM until a condition holds (a ceiling, never a timing assertion) and,
/// when it does not, fails with the page's text and the browser console.
/// </summary>
public sealed class Browser : IDisposable
{
    private static readonly TimeSpan Ceiling = TimeSpan.FromSeconds(90);

    private Browser(ChromeDriver driver, string downloads)
    {
        Driver = driver;
        Downloads = downloads;
    }

    public ChromeDriver Driver { get; }

    /// <summary>Where the browser saves downloads.</summary>
    public string Downloads { get; }

    public static Browser Start()
    {
        var chromium = Environment.GetEnvironmentVariable("CHROMIUM") ?? "/usr/bin/chromium";
        var chromedriver = Environment.GetEnvironmentVariable("CHROMEDRIVER") ?? "/usr/bin/chromedriver";
        if (!File.Exists(chromium) || !File.Exists(chromedriver))
        {
            throw new InvalidOperationException($"Chromium ({chromium}) or its driver ({chromedriver}) is missing: run scripts/chromium.sh (as root) first.");
        }

        var downloads = Path.Combine(Path.GetTempPath(), "enrichflow-browser-downloads", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(downloads);
        var options = new ChromeOptions { BinaryLocation = chromium };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,800", "--lang=en-US",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions");
        options.AddUserProfilePreference("download.default_directory", downloads);
        options.AddUserProfilePreference("download.prompt_for_download", false);
        options.AddUserProfilePreference("intl.accept_languages", "en-US");
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(chromedriver)!, Path.GetFileName(chromedriver));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var driver = new ChromeDriver(service, options, TimeSpan.FromMinutes(2));
        return new Browser(driver, downloads);
    }

    public void GoTo(string url) => Driver.Navigate().GoToUrl(url);

    /// <summary>Polls until <paramref name="condition"/> gives a value that is not null.</summary>
    public T Wait<T>(Func<IWebDriver, T?> condition, string what)
        where T : class =>
        Poll(wait => wait.Until(condition)!, what);

    /// <summary>Polls until <paramref name="condition"/> holds.</summary>
    public void WaitUntil(Func<IWebDriver, bool> condition, string what) => Poll(wait => wait.Until(condition), what);

    private T Poll<T>(Func<WebDriverWait, T> until, string what)
    {
        var wait = new WebDriverWait(Driver, Ceiling) { PollingInterval = TimeSpan.FromMilliseconds(100) };
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        try
        {
            return until(wait);
        }
        catch (WebDriverTimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"Waited in vain for {what}.\nPage: {Driver.Url}\n{PageText()}\nConsole:\n{ConsoleLog()}");
        }
    }

    /// <summary>The element with this id once it is displayed.</summary>
    public IWebElement Id(string id) => Wait(d => d.FindElement(By.Id(id)) is { Displayed: true } e ? e : null, $"#{id}");

    public IWebElement Css(string selector) => Wait(d => d.FindElement(By.CssSelector(selector)) is { Displayed: true } e ? e : null, selector);

    public ReadOnlyCollection<IWebElement> All(string selector) => Driver.FindElements(By.CssSelector(selector));

    /// <summary>Waits until the element's text contains <paramref name="text"/>; returns the element.</summary>
    public IWebElement WaitText(string selector, string text) =>
        Wait(d => d.FindElement(By.CssSelector(selector)) is { } e && e.Text.Contains(text, StringComparison.Ordinal) ? e : null, $"'{text}' in {selector}");

    public void Click(string id) => Id(id).Click();

    public void Type(string id, string text)
    {
        var input = Id(id);
        input.Clear();
        input.SendKeys(text);
    }

    /// <summary>Picks an option of a select by its value (a real click, so change handlers run).</summary>
    /// (By the option's value property: preact writes no value attribute where the value is the option's text.)
    public void Select(string id, string value) =>
        Wait(d => d.FindElements(By.CssSelector($"#{id} option")).FirstOrDefault(o => o.GetDomProperty("value") == value), $"option '{value}' of #{id}").Click();

    public bool Exists(string selector) => Driver.FindElements(By.CssSelector(selector)).Count > 0;

    /// <summary>The whole page, as tall as its content (at most 2,400 pixels), from its top.</summary>
    public void FullPageScreenshot(string path)
    {
        Driver.ExecuteScript("window.scrollTo(0, 0);");
        var size = (IReadOnlyDictionary<string, object>)Driver.ExecuteScript(
            "return {width: document.documentElement.clientWidth, height: Math.min(2400, document.documentElement.scrollHeight)};")!;
        var clip = new Dictionary<string, object?> { ["x"] = 0, ["y"] = 0, ["width"] = size["width"], ["height"] = size["height"], ["scale"] = 1 };
        var shot = (IReadOnlyDictionary<string, object>)Driver.ExecuteCdpCommand("Page.captureScreenshot",
            new Dictionary<string, object?> { ["format"] = "png", ["captureBeyondViewport"] = true, ["clip"] = clip })!;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, Convert.FromBase64String((string)shot["data"]));
    }

    public string PageText()
    {
        try
        {
            return Driver.FindElement(By.TagName("body")).Text;
        }
        catch (WebDriverException e)
        {
            return "(no page text: " + e.Message + ")";
        }
    }

    public string ConsoleLog()
    {
        try
        {
            return string.Join('\n', Driver.Manage().Logs.GetLog(LogType.Browser).Select(l => $"{l.Level}: {l.Message}"));
        }
        catch (WebDriverException e)
        {
            return "(no console log: " + e.Message + ")";
        }
    }

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
        try
        {
            Directory.Delete(Downloads, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
