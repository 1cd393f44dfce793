"""Feature: the dispatch catalogue (派单目录). The category tree (诉求分类), the gazetteer of areas
(地名库) and address resolution, the handling units (承办单位), and the routing of an order by category ×
area to its lead and assisting units (一单通达). Pure rules and values; storage is in the db adapters.
"""
