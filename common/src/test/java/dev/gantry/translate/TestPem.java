package dev.gantry.translate;

/** A self-signed test certificate for *.example.com and backend.example.com (EC P-256, valid for 100 years). */
public final class TestPem {

    public static final String CERTIFICATE = ""
            + "-----BEGIN CERTIFICATE-----\n"
            + "MIIBuDCCAV6gAwIBAgIUewfC8EpzbgcziSn4OJRy+RUuGikwCgYIKoZIzj0EAwIw\n"
            + "GDEWMBQGA1UEAwwNKi5leGFtcGxlLmNvbTAgFw0yNjExMjIxNzExMDFaGA8yMTI2\n"
            + "MTAyOTE3MTEwMVowGDEWMBQGA1UEAwwNKi5leGFtcGxlLmNvbTBZMBMGByqGSM49\n"
            + "AgEGCCqGSM49AwEHA0IABIDktgmeYf4X+jIFU56NKEWO4IXfvGmVWkHiA8Axjzzd\n"
            + "VPSsonwJbjnjn//cMJtd2Dl20i2ytfacaPBumv0dnHujgYMwgYAwHQYDVR0OBBYE\n"
            + "FH6HumHtyjSnmnoLYfc0UNZ4F9jiMB8GA1UdIwQYMBaAFH6HumHtyjSnmnoLYfc0\n"
            + "UNZ4F9jiMA8GA1UdEwEB/wQFMAMBAf8wLQYDVR0RBCYwJIINKi5leGFtcGxlLmNv\n"
            + "bYITYmFja2VuZC5leGFtcGxlLmNvbTAKBggqhkjOPQQDAgNIADBFAiAHKEasYjbS\n"
            + "0zQasbHzrJ780pBvR07l5HOp41bKV/jCggIhANZ/FQmcV5cCVGbPAPPf6lQVAhBg\n"
            + "6wA54HzZLBVuI8na\n"
            + "-----END CERTIFICATE-----\n";

    public static final String PRIVATE_KEY = ""
            + "-----BEGIN PRIVATE KEY-----\n"
            + "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgKJ7Q6aNUPkQH3Soy\n"
            + "7fLjGXvGIrMAmHszqnGKhJqSjPOhRANCAASA5LYJnmH+F/oyBVOejShFjuCF37xp\n"
            + "lVpB4gPAMY883VT0rKJ8CW4545//3DCbXdg5dtItsrX2nGjwbpr9HZx7\n"
            + "-----END PRIVATE KEY-----\n";

    private TestPem() {}
}
