using System.Security.Cryptography;
using System.Text;
using WaybillQuota.Server.Tokens;

namespace WaybillQuota.Server.Tests.Tokens;

public sealed class SecretsTests
{
    [Fact]
    public void Hash_OneAfterAnotherOnTheSameThread_IsTheSha256OfEachCredential()
    {
        // The thread's digest context is reused, so a hash that did not reset it would show up in the next one.
        string[] credentials = ["onC_xhMybbUGBo7gxzCsdzkbKztbHTXswuYq9vfKI-c", "", "a", "onC_xhMybbUGBo7gxzCsdzkbKztbHTXswuYq9vfKI-c", "密码"];
        Span<byte> hash = stackalloc byte[32];

        foreach (var credential in credentials)
        {
            Secrets.Hash(credential, hash);
            Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(credential)), hash.ToArray());
            Assert.Equal(hash.ToArray(), Secrets.Hash(credential));
        }
    }

    [Fact]
    public void Hash_ACredentialOfAMegabyte_IsHashedOffTheStack()
    {
        // A credential is whatever a caller sends (an operator key is a header): its size must not decide the stack's.
        var huge = new string('k', 1 << 20) + "密";
        Span<byte> hash = stackalloc byte[32];

        Secrets.Hash(huge, hash);

        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(huge)), hash.ToArray());
    }

    [Theory]
    [InlineData("onC_xhMybbUGBo7gxzCsdzkbKztbHTXswuYq9vfKI-c", true)]
    [InlineData("onC_xhMybbUGBo7gxzCsdzkbKztbHTXswuYq9vfKI-", false)]
    [InlineData("onC_xhMybbUGBo7gxzCsdzkbKztbHTXswuYq9vfKI-cc", false)]
    [InlineData("onC_xhMybbUGBo7gxzCsdzkbKztbHTXswuYq9vfKI+c", false)]
    [InlineData("onC_xhMybbUGBo7gxzCsdzkbKztbHTXswuYq9vfKI,c", false)]
    [InlineData("onC_xhMybbUGBo7gxzCsdzkbKztbHTXswuYq9vfKIéc", false)]
    [InlineData("", false)]
    public void IsWellFormedToken_AcceptsOnly43Base64UrlCharacters(string token, bool expected)
    {
        Assert.Equal(expected, Secrets.IsWellFormedToken(token));
    }
}
