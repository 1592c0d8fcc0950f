/*
 * curve_keypair: prints a fresh CURVE key pair made by the library it is linked
 * against (zmq_curve_keypair), as "<public> <secret>" in Z85, for bench/run_c.sh
 * (MECHANISM=curve), which makes one for every run.
 */
#include <zmq.h>
#include <errno.h>
#include <stdio.h>

int main (void)
{
    char public_key[41], secret_key[41];
    if (zmq_curve_keypair (public_key, secret_key) != 0) {
        printf ("error in zmq_curve_keypair: %s\n", zmq_strerror (errno));
        return 1;
    }
    printf ("%s %s\n", public_key, secret_key);
    return 0;
}
