"""Feature: seats (坐席). Who is logged in and what each seat is doing, folded from floor events; the
agent-session commands (签入, 示忙, 示闲, 签出) as pure rules and the service that sends them to Asterisk.
"""
