using Enrichflow.Blocks.Validation;

namespace Enrichflow.Blocks.Tests.Validation;

public sealed class EmailSyntaxTests
{
    [Theory]
    [InlineData("simple@example.com", "simple@example.com")]
    [InlineData("very.common@example.com", "very.common@example.com")]
    [InlineData("user.name+tag+sorting@example.com", "user.name+tag+sorting@example.com")]
    [InlineData("other.email-with-hyphen@strange-example.co.uk", "other.email-with-hyphen@strange-example.co.uk")]
    [InlineData("x@example.com", "x@example.com")]
    [InlineData("#!$%&'*+-/={?^_`|}~@example.org", "#!$%&'*+-/={?^_`|}~@example.org")]
    [InlineData("\"john..doe\"@example.org", "\"john..doe\"@example.org")]
    [InlineData("\"a@b c\"@example.org", "\"a@b c\"@example.org")]
    [InlineData("\"escaped\\\"quote\"@example.org", "\"escaped\\\"quote\"@example.org")]
    [InlineData("  padded@example.com \t", "padded@example.com")]
    [InlineData("Mixed.Case@EXAMPLE.Com", "Mixed.Case@example.com")]
    [InlineData("user@mail.xn--p1ai", "user@mail.xn--p1ai")]
    [InlineData("jörg@example.de", "jörg@example.de")]
    [InlineData("info@Bücher.Example", "info@xn--bcher-kva.example")]
    [InlineData("user@例え.テスト", "user@xn--r8jz45g.xn--zckzah")]
    [InlineData("a@b2.io", "a@b2.io")]
    public void Well_formed_addresses_parse_to_their_normalized_form(string address, string normalized)
    {
        Assert.True(EmailSyntax.TryParse(address, out var email));
        Assert.Equal(normalized, email.Normalized);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("plainaddress")]
    [InlineData("@example.com")]
    [InlineData("user@")]
    [InlineData("Abc.example.com")]
    [InlineData("A@b@c@example.com")]
    [InlineData("a\"b(c)d,e:f;g<h>i[j\\k]l@example.com")]
    [InlineData("just\"not\"right@example.com")]
    [InlineData("this is\"not\\allowed@example.com")]
    [InlineData("john..doe@example.com")]
    [InlineData(".john@example.com")]
    [InlineData("john.@example.com")]
    [InlineData("\"\"@example.com")]
    [InlineData("\"unterminated@example.com")]
    [InlineData("user name@example.com")]
    [InlineData("user@localhost")]
    [InlineData("user@example..com")]
    [InlineData("user@.example.com")]
    [InlineData("user@-example.com")]
    [InlineData("user@example-.com")]
    [InlineData("user@exa_mple.com")]
    [InlineData("user@exa mple.com")]
    [InlineData("user@[192.168.1.1]")]
    [InlineData("user@192.168.1.1")]
    [InlineData("user@example.com.")]
    [InlineData("user@example.c")]
    [InlineData("user@example.123")]
    public void Malformed_addresses_do_not_parse(string? address) =>
        Assert.False(EmailSyntax.TryParse(address, out _));

    [Fact]
    public void Local_part_may_be_64_octets_but_not_65()
    {
        Assert.True(EmailSyntax.TryParse(new string('a', 64) + "@example.com", out _));
        Assert.False(EmailSyntax.TryParse(new string('a', 65) + "@example.com", out _));
        Assert.False(EmailSyntax.TryParse(new string('ä', 33) + "@example.com", out _));
    }

    [Fact]
    public void Domain_labels_may_be_63_octets_but_not_64()
    {
        Assert.True(EmailSyntax.TryParse("a@" + new string('b', 63) + ".com", out _));
        Assert.False(EmailSyntax.TryParse("a@" + new string('b', 64) + ".com", out _));
    }

    [Fact]
    public void Domain_may_be_253_octets_but_not_254()
    {
        var label = new string('d', 61);
        var domain253 = string.Join('.', label, label, label, label, "abcde");
        Assert.Equal(253, domain253.Length);
        Assert.True(EmailSyntax.TryNormalizeDomain(domain253, out _));
        Assert.False(EmailSyntax.TryNormalizeDomain("e" + domain253, out _));
    }

    [Fact]
    public void Whole_address_may_be_254_octets_but_not_255()
    {
        var label = new string('d', 61);
        var local = new string('l', 64);
        Assert.True(EmailSyntax.TryParse(local + "@" + string.Join('.', label, label, label, "com"), out _));
        Assert.False(EmailSyntax.TryParse(local + "@" + string.Join('.', label, label, label, "coms"), out _));
    }
}
