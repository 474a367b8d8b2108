/* Table-driven CRC32C, slicing by 8: event files and checkpoints are checked on every read. Runs
 * of zeros are skipped by arithmetic: the register over n zero bytes is the register times x^(8n)
 * modulo the polynomial. */
#include "crc32c.h"

#include <pthread.h>

#define POLY 0x82F63B78u /* reflected: bit 31 is x^0 */

static uint32_t table[8][256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void build_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (POLY & (0u - (c & 1)));
        table[0][i] = c;
    }
    for (int t = 1; t < 8; t++)
        for (int i = 0; i < 256; i++) table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xff];
}

uint32_t tfc_crc32c_extend(uint32_t crc, const void *data, size_t n)
{
    pthread_once(&table_once, build_table);
    const unsigned char *p = data;
    uint32_t c = ~crc;
    while (n >= 8) {
        uint32_t lo = c ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
        uint32_t hi = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
        c = table[7][lo & 0xff] ^ table[6][(lo >> 8) & 0xff] ^ table[5][(lo >> 16) & 0xff] ^ table[4][lo >> 24] ^
            table[3][hi & 0xff] ^ table[2][(hi >> 8) & 0xff] ^ table[1][(hi >> 16) & 0xff] ^ table[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    while (n--) c = (c >> 8) ^ table[0][(c ^ *p++) & 0xff];
    return ~c;
}

/* a times b modulo the polynomial, both reflected. */
static uint32_t mul_mod(uint32_t a, uint32_t b)
{
    uint32_t p = 0;
    for (uint32_t m = 1u << 31; m; m >>= 1) {
        if (a & m) p ^= b;
        b = (b >> 1) ^ (POLY & (0u - (b & 1)));
    }
    return p;
}

uint32_t tfc_crc32c_extend_zeros(uint32_t crc, uint64_t n)
{
    uint32_t x = 1u << 31;       /* x^0 */
    uint32_t power = 1u << 23;   /* x^8: one byte */
    for (; n; n >>= 1) {
        if (n & 1) x = mul_mod(x, power);
        power = mul_mod(power, power);
    }
    return ~mul_mod(x, ~crc);
}
