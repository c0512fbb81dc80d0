using System.Collections.Frozen;

namespace Enrichflow.Blocks.Validation;

/// <summary>
/// The disposable-domain, role-local-part and free-provider lists embedded from <c>Data/*.txt</c>. Each list is
/// read once, on first use, into a frozen set.
/// </summary>
public static class DomainLists
{
    private static readonly Lazy<FrozenSet<string>> Disposable = new(() => Load("disposable_domains.txt"));
    private static readonly Lazy<FrozenSet<string>> Roles = new(() => Load("role_local_parts.txt"));
    private static readonly Lazy<FrozenSet<string>> Free = new(() => Load("free_email_domains.txt"));

    /// <summary>True when <paramref name="domain"/> (lower-case ASCII) or one of its parent domains is disposable.</summary>
    public static bool IsDisposable(string domain)
    {
        var set = Disposable.Value;
        var candidate = domain.AsSpan();
        var lookup = set.GetAlternateLookup<ReadOnlySpan<char>>();
        while (true)
        {
            if (lookup.Contains(candidate))
            {
                return true;
            }

            var dot = candidate.IndexOf('.');
            if (dot < 0 || candidate[(dot + 1)..].IndexOf('.') < 0)
            {
                return false;
            }

            candidate = candidate[(dot + 1)..];
        }
    }

    /// <summary>
    /// True when the local part names a role (info, sales, support, ...) rather than a person. Case and a
    /// <c>+tag</c> are ignored; a quoted local part is never a role.
    /// </summary>
    public static bool IsRole(string localPart) => IsRole(localPart.AsSpan());

    /// <inheritdoc cref="IsRole(string)"/>
    public static bool IsRole(ReadOnlySpan<char> localPart)
    {
        if (localPart.StartsWith('"'))
        {
            return false;
        }

        var plus = localPart.IndexOf('+');
        var name = plus >= 0 ? localPart[..plus] : localPart;
        var lower = name.Length <= 128 ? stackalloc char[name.Length] : new char[name.Length];
        name.ToLowerInvariant(lower);
        return Roles.Value.GetAlternateLookup<ReadOnlySpan<char>>().Contains(lower);
    }

    /// <summary>True when <paramref name="domain"/> (lower-case ASCII) is a free consumer mailbox provider.</summary>
    public static bool IsFree(string domain) => Free.Value.Contains(domain);

    private static FrozenSet<string> Load(string fileName)
    {
        var assembly = typeof(DomainLists).Assembly;
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith("." + fileName, StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded list '{fileName}' is missing from {assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        var entries = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            var entry = line.Trim();
            if (entry.Length > 0 && !entry.StartsWith('#'))
            {
                entries.Add(entry.ToLowerInvariant());
            }
        }

        return entries.ToFrozenSet(StringComparer.Ordinal);
    }
}
