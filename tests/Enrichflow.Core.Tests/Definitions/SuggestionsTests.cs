using Enrichflow.Core.Definitions;

namespace Enrichflow.Core.Tests.Definitions;

public sealed class SuggestionsTests
{
    [Theory]
    [InlineData("emial_status", "email_status")]
    [InlineData("emial", "email")]
    [InlineData("tooo", "to")]
    [InlineData("Email_Status", "email_status")]
    [InlineData("domian", "domain")]
    [InlineData("nmae", "name")]
    public void A_typo_finds_the_name_it_misspells(string typo, string meant) =>
        Assert.Equal(meant, Suggestions.Nearest(typo, ["name", "email", "email_status", "domain", "to", "company"]));

    [Theory]
    [InlineData("colour")]
    [InlineData("xy")]
    [InlineData("phone_number_of_the_office")]
    public void A_name_far_from_every_candidate_finds_nothing(string name) =>
        Assert.Null(Suggestions.Nearest(name, ["name", "email", "email_status", "to"]));

    [Fact]
    public void The_sentence_is_empty_without_a_suggestion_and_the_name_itself_is_not_suggested()
    {
        Assert.Equal(" (did you mean 'email'?)", Suggestions.DidYouMean("emial", ["email"]));
        Assert.Equal("", Suggestions.DidYouMean("email", ["email"]));
        Assert.Equal("", Suggestions.DidYouMean("email", []));
    }

    [Fact]
    public void The_nearest_of_several_near_candidates_wins() =>
        Assert.Equal("email_status", Suggestions.Nearest("emial_status", ["email_statuses", "email_status", "mail_status"]));
}
