using Enrichflow.Browser.Tests.Infrastructure;

namespace Enrichflow.Browser.Tests;

/// <summary>The dashboard at a phone's width: every page reads without scrolling sideways (wide tables scroll in their box).</summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardLayoutTests(BrowserFixture fixture)
{
    [Theory]
    [InlineData("#/workflows", "wf-title")]
    [InlineData("#/workflows/new", "editor-title")]
    [InlineData("#/runs", "runs-title")]
    [InlineData("#/runs/new", "start-title")]
    [InlineData("#/notebooks", "nb-title")]
    [InlineData("#/schedules", "sch-title")]
    [InlineData("#/providers", "prov-title")]
    [InlineData("#/usage", "usage-title")]
    public void A_page_fits_a_narrow_screen(string page, string heading)
    {
        var b = fixture.Browser;
        var window = b.Driver.Manage().Window;
        fixture.SignIn();
        window.Size = new System.Drawing.Size(390, 844);
        try
        {
            fixture.GoTo(page);
            b.Id(heading);
            b.Css("header.top nav");
            var overflow = b.Driver.ExecuteScript("return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
            var widest = b.Driver.ExecuteScript(
                "const w = document.documentElement.clientWidth; let out = ''; for (const e of document.querySelectorAll('body *')) { const r = e.getBoundingClientRect(); if (r.right > w + 1 && !(e.parentElement && e.parentElement.getBoundingClientRect().right > w + 1)) out += e.tagName + '.' + e.className + ' (' + Math.round(r.right) + ' px): ' + e.outerHTML.slice(0, 160) + '\\n'; } return out;");
            Assert.True(Convert.ToInt64(overflow, System.Globalization.CultureInfo.InvariantCulture) <= 0, $"{page} is {overflow} px wider than a 390 px screen; past its edge: {widest}");
        }
        finally
        {
            window.Size = new System.Drawing.Size(1280, 800);
        }
    }
}
