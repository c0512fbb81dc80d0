namespace Enrichflow.Hosting;

/// <summary>Writes files only the owner can read (mode 0600), atomically.</summary>
public static class PrivateFile
{
    public static void Write(string path, string content)
    {
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
            writer.Flush();
            stream.Flush(true);
        }

        File.Move(temp, path, overwrite: true);
    }
}
