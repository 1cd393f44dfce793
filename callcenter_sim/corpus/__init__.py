"""A synthetic hotline corpus (docs/corpus.md): citizen requests with their labels, written from committed
phrasings and the sample city's catalogue; telephone degradations; rendering through the voice port."""
