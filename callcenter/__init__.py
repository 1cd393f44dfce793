"""Contact center for China's 12345 government-service hotlines (政务服务便民热线).

Run it as ``python -m callcenter ...``: a script run from inside this folder would let our ``queue``
package shadow the standard library's.
"""

__version__ = "0.1.0"
