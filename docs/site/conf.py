# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sphinx configuration of the nasjoin.entra documentation site (built offline by scripts/docs).

Started from ``antsibull-docs sphinx-init --use-current``; changed so that the build needs no network
(no intersphinx) and still fails on every broken internal reference: the labels of the Ansible
documentation that antsibull-docs pages refer to resolve to fixed addresses, nothing else does.
"""

from docutils import nodes

project = 'nasjoin.entra'
project_copyright = 'nasjoin.entra contributors'
title = html_short_title = 'nasjoin.entra'

extensions = ['myst_parser', 'sphinx_antsibull_ext']
source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}
root_doc = 'index'
myst_heading_anchors = 3

pygments_style = 'ansible'
highlight_language = 'YAML+Jinja'
html_theme = 'sphinx_ansible_theme'
html_theme_options = {'topbar_links': {}, 'show_extranav': False, 'show_rtd_ethical_ads': False}
html_show_sphinx = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False
display_version = False

default_role = 'any'
nitpicky = True

ANSIBLE_DOCS = 'https://docs.ansible.com/projects/ansible/latest/'
ANSIBLE_LABELS = {
    'common_return_values': ANSIBLE_DOCS + 'reference_appendices/common_return_values.html',
    'ansible_configuration_settings': ANSIBLE_DOCS + 'reference_appendices/config.html',
    'action_plugins': ANSIBLE_DOCS + 'plugins/action.html',
}


def ansible_label(app, env, node, contnode):
    """Resolve the Ansible documentation labels that antsibull-docs pages use; every other miss stays a warning."""
    uri = ANSIBLE_LABELS.get(node.get('reftarget')) if node.get('reftype') == 'ref' else None
    if uri is None:
        return None
    return nodes.reference('', '', contnode, internal=False, refuri=uri)


def setup(app):
    app.connect('missing-reference', ansible_label)
