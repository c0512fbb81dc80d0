using Enrichflow.Blocks.Notebooks;
using Enrichflow.Blocks.Webhooks;
using Enrichflow.Core.Blocks;
using static Enrichflow.Blocks.Tests.Validation.BlockTestKit;

namespace Enrichflow.Blocks.Tests.Notebooks;

/// <summary>The notebooks a block says it reads or writes, which a run start checks before queueing.</summary>
public sealed class NotebookReferenceTests
{
    [Fact]
    public void Append_to_an_existing_notebook_references_it()
    {
        var reference = Assert.Single(Compiled(new AppendToNotebookBlockType(), """{"notebook_id": "nb-1"}""").ReferencedNotebooks);

        Assert.Equal("nb-1", reference.NotebookId);
        Assert.False(reference.CreatesNew);
    }

    [Fact]
    public void Append_that_creates_its_notebook_references_no_existing_one()
    {
        var reference = Assert.Single(Compiled(new AppendToNotebookBlockType(), """{"notebook_id": "__create_new__", "notebook_name": "Leads"}""").ReferencedNotebooks);

        Assert.True(reference.CreatesNew);
        Assert.Null(reference.NotebookId);
    }

    [Fact]
    public void Deduplicate_with_notebook_and_read_notebook_reference_theirs()
    {
        Assert.Equal("nb-2", Assert.Single(Compiled(new DeduplicateWrtNotebookBlockType(), """{"notebook_id": "nb-2", "key_fields": ["email"]}""").ReferencedNotebooks).NotebookId);
        Assert.Equal("nb-3", Assert.Single(Compiled(new ReadNotebookBlockType(), """{"notebook_id": "nb-3"}""").ReferencedNotebooks).NotebookId);
    }

    [Fact]
    public void A_block_without_a_notebook_references_none()
    {
        Assert.Empty(Compiled(new OutgoingWebhookBlockType(), """{"url": "https://hooks.example.com/in"}""").ReferencedNotebooks);
    }

    private static CompiledBlock Compiled(BlockType type, string specs)
    {
        var block = TryCompile(type, specs, out var errors);
        Assert.Empty(errors);
        return block!;
    }
}
