using System.Security.Cryptography;
using System.Text;
using Enrichflow.Providers.Outbound;

namespace Enrichflow.Providers.Tests.Outbound;

public sealed class WebhookSignatureTests
{
    private const string SecretA = "sk_whsec_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string SecretB = "sk_whsec_fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
    private static readonly DateTimeOffset Now = new(2026, 2, 12, 10, 30, 0, TimeSpan.Zero);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"event_id":"e1","event_type":"run.completed","row_count":3}""");

    [Fact]
    public void The_header_is_the_time_and_one_hex_hmac_of_time_dot_body()
    {
        var t = Now.ToUnixTimeSeconds();

        var header = WebhookSignature.Sign([SecretA], t, Body);

        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(SecretA), Encoding.UTF8.GetBytes($"{t}.").Concat(Body).ToArray());
        Assert.Equal($"t={t},v1={Convert.ToHexStringLower(expected)}", header);
    }

    [Fact]
    public void Two_secrets_give_two_v1_signatures_and_either_secret_verifies()
    {
        var header = WebhookSignature.Sign([SecretA, SecretB], Now.ToUnixTimeSeconds(), Body);

        Assert.Equal(2, header.Split(',').Count(p => p.StartsWith("v1=", StringComparison.Ordinal)));
        Assert.True(WebhookSignature.Verify(header, Body, SecretA, Now));
        Assert.True(WebhookSignature.Verify(header, Body, SecretB, Now));
    }

    [Fact]
    public void A_signature_within_300_seconds_either_way_verifies_and_one_outside_does_not()
    {
        var header = WebhookSignature.Sign([SecretA], Now.ToUnixTimeSeconds(), Body);

        Assert.True(WebhookSignature.Verify(header, Body, SecretA, Now.AddSeconds(300)));
        Assert.True(WebhookSignature.Verify(header, Body, SecretA, Now.AddSeconds(-300)));
        Assert.False(WebhookSignature.Verify(header, Body, SecretA, Now.AddSeconds(301)));
        Assert.False(WebhookSignature.Verify(header, Body, SecretA, Now.AddSeconds(-301)));
        Assert.True(WebhookSignature.Verify(header, Body, SecretA, Now.AddSeconds(900), TimeSpan.FromMinutes(15)));
    }

    [Fact]
    public void A_tampered_body_does_not_verify()
    {
        var header = WebhookSignature.Sign([SecretA], Now.ToUnixTimeSeconds(), Body);
        var tampered = Body.ToArray();
        tampered[^2] ^= 1;

        Assert.False(WebhookSignature.Verify(header, tampered, SecretA, Now));
    }

    [Fact]
    public void A_wrong_secret_does_not_verify()
    {
        var header = WebhookSignature.Sign([SecretA], Now.ToUnixTimeSeconds(), Body);

        Assert.False(WebhookSignature.Verify(header, Body, SecretB, Now));
    }

    [Fact]
    public void A_changed_timestamp_does_not_verify()
    {
        var header = WebhookSignature.Sign([SecretA], Now.ToUnixTimeSeconds(), Body);
        var shifted = header.Replace($"t={Now.ToUnixTimeSeconds()}", $"t={Now.ToUnixTimeSeconds() + 1}", StringComparison.Ordinal);

        Assert.False(WebhookSignature.Verify(shifted, Body, SecretA, Now));
    }

    [Theory]
    [InlineData("")]
    [InlineData("t=1770892200")]
    [InlineData("v1=00")]
    [InlineData("t=abc,v1=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("t=1770892200,v1=zz00000000000000000000000000000000000000000000000000000000000000")]
    public void A_malformed_header_does_not_verify(string header)
    {
        Assert.False(WebhookSignature.Verify(header, Body, SecretA, Now));
    }

    [Fact]
    public void Signing_without_a_secret_is_refused()
    {
        Assert.Throws<ArgumentException>(() => WebhookSignature.Sign([], Now.ToUnixTimeSeconds(), Body));
    }
}
