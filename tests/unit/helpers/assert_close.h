/* assert_close for cmocka tests. Header only; include it after <cmocka.h>
 * and <math.h>. */
#ifndef MT_TEST_ASSERT_CLOSE_H
#define MT_TEST_ASSERT_CLOSE_H

/* Asserts |a - b| <= tol, printing both on failure. */
#define assert_close(a, b, tol) \
	do { \
		double a_ = (a), b_ = (b); \
		if (!(fabs(a_ - b_) <= (tol))) \
			fail_msg("%s = %.12g, expected %.12g (tol %g)", #a, \
				 a_, b_, (double)(tol)); \
	} while (0)

#endif
