using Enrichflow.Server.Hosting;

namespace Enrichflow.Server.Tests.Outbound;

public sealed class OutboundConfigurationTests
{
    [Fact]
    public async Task A_server_with_a_bad_allow_entry_reports_it_among_its_configuration_problems()
    {
        var directory = Path.Combine(Path.GetTempPath(), "enrichflow-tests", Guid.NewGuid().ToString("N"));
        try
        {
            await using var app = EnrichflowApp.Build(new ServeSettings("http://127.0.0.1:0", directory), builder =>
            {
                builder.Configuration["Outbound:Allow:0"] = "127.0.0.1/32";
                builder.Configuration["Outbound:Allow:1"] = "300.0.0.0/8";
            });

            Assert.Contains(
                "Outbound:Allow[1] '300.0.0.0/8' is not a CIDR range (like 10.0.0.0/8 or ::1/128), an IP address or a host name.",
                EnrichflowApp.ConfigurationProblems(app));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
