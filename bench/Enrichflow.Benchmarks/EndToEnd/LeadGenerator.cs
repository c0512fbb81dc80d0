using System.Text;

namespace Enrichflow.Benchmarks.EndToEnd;

/// <summary>Writes N synthetic leads as CSV, deterministically (the same N gives the same file).</summary>
public static class LeadGenerator
{
    private static readonly string[] First = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "John", "Margaret", "Ken", "Radia", "Linus"];
    private static readonly string[] Last = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Backus", "Hamilton", "Thompson", "Perlman", "Torvalds"];
    private static readonly string[] Companies = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Wonka", "Tyrell", "Cyberdyne"];
    private static readonly string[] Titles = ["CEO", "CTO", "VP Sales", "Head of Data", "Engineer", "Analyst", "RevOps Lead", "Founder"];
    // Weighted as a US-heavy lead list: 62 of 100 rows are US (so "US and a valid email" keeps about 56%).
    private static readonly (string Country, string[] Cities)[] Places =
    [
        ("US", ["New York", "San Francisco", "Austin", "Chicago", "Seattle", "Boston"]),
        ("GB", ["London", "Manchester", "Edinburgh"]),
        ("DE", ["Berlin", "Munich", "Hamburg"]),
        ("FR", ["Paris", "Lyon", "Toulouse"]),
        ("CA", ["Toronto", "Vancouver", "Montreal"]),
        ("AU", ["Sydney", "Melbourne", "Brisbane"]),
    ];

    public static long Write(string path, long rows)
    {
        var random = new Random(42);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        writer.Write("id,first_name,last_name,email,company,domain,phone,title,country,city,score\n");
        for (long i = 0; i < rows; i++)
        {
            var first = First[random.Next(First.Length)];
            var last = Last[random.Next(Last.Length)];
            var company = Companies[random.Next(Companies.Length)];
            var domain = company.ToLowerInvariant() + (i % 7 == 0 ? ".io" : ".com");
            var email = (i % 10) switch
            {
                0 => $"{first}.{last}{i}@@{domain}",            // bad syntax
                1 => $"info@{domain}",                           // role address
                _ => $"{first}.{last}{i}@{domain}",
            };
            writer.Write(i);
            writer.Write(',');
            writer.Write(first);
            writer.Write(',');
            writer.Write(last);
            writer.Write(',');
            writer.Write(email);
            writer.Write(',');
            writer.Write(company);
            writer.Write(',');
            writer.Write(domain);
            writer.Write(",+1 (555) ");
            writer.Write(random.Next(100, 999));
            writer.Write('-');
            writer.Write(random.Next(1000, 9999));
            writer.Write(',');
            writer.Write(Titles[random.Next(Titles.Length)]);
            writer.Write(',');
            var (country, cities) = Places[random.Next(100) is var p && p < 62 ? 0 : 1 + (p - 62) % (Places.Length - 1)];
            writer.Write(country);
            writer.Write(',');
            writer.Write(cities[random.Next(cities.Length)]);
            writer.Write(',');
            writer.Write(random.Next(0, 100));
            writer.Write('\n');
        }

        writer.Flush();
        return new FileInfo(path).Length;
    }
}
