using System.Runtime.InteropServices;
using System.Text;

namespace Enrichflow.Storage.LocalDisk;

/// <summary>
/// Fsync of a directory, so that a rename into it (or a directory created in it) survives a power loss or an OS
/// crash, not only a killed process: on Linux the directory is opened read-only and <c>fsync(2)</c>ed. Elsewhere
/// it is a no-op (.NET cannot open a directory as a file there, and Windows commits renames with the file system's
/// own journal), so <c>FlushBlobsToDisk</c> guarantees only the file's own contents there.
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0;
    private const int CloseOnExec = 0x80000;
    private const int InvalidArgument = 22;

    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var path = Encoding.UTF8.GetBytes(directory + "\0");
        var descriptor = Open(path, ReadOnly | CloseOnExec);
        if (descriptor < 0)
        {
            throw new IOException($"Could not open directory '{directory}' to fsync it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            // EINVAL: a file system that cannot sync directories (some network and FUSE mounts); nothing to wait for.
            if (Fsync(descriptor) != 0 && Marshal.GetLastPInvokeError() is var error && error != InvalidArgument)
            {
                throw new IOException($"Could not fsync directory '{directory}' (errno {error}).");
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true)]
    private static partial int Open(byte[] path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}
